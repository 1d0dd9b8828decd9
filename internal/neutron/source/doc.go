// Package source reads Neutron's core model through its API (gophercloud,
// paginated, only the fields the mirror keeps) and turns it into the
// store's types: the mirror's Source for a real Neutron.
//
// It only reads from Neutron, with the credentials of the [neutron]
// section; it never writes.
package source
