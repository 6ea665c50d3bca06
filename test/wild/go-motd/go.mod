module wildmotd

go 1.19
