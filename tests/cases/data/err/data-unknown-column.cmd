etsl run facilities.scheme --participants data-unknown-column.csv --strict
