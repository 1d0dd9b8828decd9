module github.com/bgpvpn/bgpvpn

go 1.26.8

require (
	github.com/google/go-cmp v0.7.0
	github.com/gophercloud/gophercloud/v2 v2.15.0
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.9
	gopkg.in/yaml.v2 v2.4.0
)

require github.com/inconshreveable/mousetrap v1.1.0 // indirect
