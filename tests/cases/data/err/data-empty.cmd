etsl run facilities.scheme --participants data-empty.csv
