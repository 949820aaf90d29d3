etsl run facilities.scheme --participants data-blank.csv
