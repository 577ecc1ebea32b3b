// Package storagetest is the conformance suite of storage.Store implementations: the Store
// contract itself, and the storage.Manager running over the Store. Every backend runs it, so
// the same Manager code is proven on each.
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return newEmptyStore(t) })
//	}
package storagetest
