// Package notify listens to Neutron's notifications on its message bus
// (oslo.messaging's messagingv2 notifier on RabbitMQ) and names the
// objects each one says changed (a port updated, a network deleted, a
// router's interfaces), so that the mirror reads just those at once
// instead of waiting for its next periodic resync.
//
// It binds a queue of its own (exclusive, deleted with the connection) to
// Neutron's exchange, so that it takes no message from the notifications
// queue other consumers (Ceilometer, Designate) read. It never publishes.
// Losing the bus is survivable: it reconnects, and asks for a full read
// after every reconnection, since what was sent meanwhile is lost; a
// notification it cannot read an object from asks for one too.
package notify
