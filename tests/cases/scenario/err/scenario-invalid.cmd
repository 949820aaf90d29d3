etsl simulate market.scheme --scenario scenario-invalid.toml -o out
