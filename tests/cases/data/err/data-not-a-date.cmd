etsl run facilities.scheme --participants data-not-a-date.csv
