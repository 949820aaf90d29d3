etsl run facilities.scheme --participants data-negative.csv
