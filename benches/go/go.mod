module epilogue.example/benches/go

go 1.19
