etsl run facilities.scheme --participants data-precision.csv
