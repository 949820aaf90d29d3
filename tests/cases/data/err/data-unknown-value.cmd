etsl run facilities.scheme --participants data-unknown-value.csv
