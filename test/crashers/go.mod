module chat-conformance/test/crashers

go 1.19
