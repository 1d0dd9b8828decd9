module github.com/bgpvpn/bgpvpn

go 1.26.8
