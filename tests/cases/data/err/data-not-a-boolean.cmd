etsl run facilities.scheme --participants data-not-a-boolean.csv
