etsl run facilities.scheme --participants data-duplicate-row.csv
