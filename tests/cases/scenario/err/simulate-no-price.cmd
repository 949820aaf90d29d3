etsl simulate market.scheme --scenario simulate-no-price.toml -o out
