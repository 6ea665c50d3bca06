module wildrooms

go 1.19
