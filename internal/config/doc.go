// Package config reads oslo.config-style INI files against a typed option
// schema, so that both binaries accept the files OpenStack operators already
// write: neutron-style server files and bagpipe-bgp's own bgp.conf, unchanged.
//
// A Schema lists the options a program understands (section, name, type,
// default, help). Schema.Load parses one or more files the way oslo.config
// does with repeated --config-file flags: later files override earlier ones,
// Multi options accumulate. Every value of a known option is validated while
// loading and all problems come back together as one error whose lines read
// "file:line: [SECTION] name: problem". Options the schema does not know are
// ignored and listed by Values.Unknown, so callers can log them.
//
// The package must never print or log a Secret option's value (not in errors,
// not in samples), never read the environment, and never panic on file
// contents: panics are kept for programmer errors such as asking for an
// option that is not in the schema.
package config
