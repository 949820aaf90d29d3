etsl simulate market.scheme --scenario scenario-mismatch.toml -o out
