// Package notify listens to Neutron's notifications on its message bus
// (oslo.messaging's messagingv2 notifier on RabbitMQ) and says when the
// core model changed, so that the mirror reads Neutron again at once
// instead of at its next periodic resync.
//
// It binds a queue of its own (exclusive, deleted with the connection) to
// Neutron's exchange, so that it takes no message from the notifications
// queue other consumers (Ceilometer, Designate) read. It never publishes.
// Losing the bus is survivable: it reconnects, and says "changed" after
// every reconnection, since what was sent meanwhile is lost.
package notify
