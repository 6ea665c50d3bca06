module chat-conformance/bench/peers

go 1.19
