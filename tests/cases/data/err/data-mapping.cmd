etsl run facilities.scheme --participants facilities.csv --map @data-mapping.map
