etsl run facilities.scheme --participants data-not-a-number.csv
