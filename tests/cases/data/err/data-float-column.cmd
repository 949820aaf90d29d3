etsl run facilities.scheme --participants data-float-column.parquet   # emissions stored as double
