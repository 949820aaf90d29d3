etsl run facilities.scheme --participants data-unit.csv
