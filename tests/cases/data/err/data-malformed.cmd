etsl run facilities.scheme --participants data-malformed.csv
