etsl run facilities.scheme --participants data-duplicate-column.csv
