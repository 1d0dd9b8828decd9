// Package bgpvpn is the root of the bgpvpn module: a Go implementation of the
// OpenStack networking-bgpvpn API server and of its bagpipe-style compute-node
// agent. The code lives under cmd/ and internal/.
package bgpvpn
