etsl run facilities.scheme --participants data-missing-column.csv
