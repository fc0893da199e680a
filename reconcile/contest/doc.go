// Package contest is the rule by which a kmswatch instance tells another kmswatch's writes from
// drift, and backs off from them, so that two instances applying different specs of one Monitor
// (no lease, or an old and a new deployment side by side) do not flip its resources on every pass.
//
// The evidence is a Marker that every write of kmswatch carries — the writing instance and the
// digest of the Monitor spec it applied — never the mere pattern of values changing. The contract:
//
//   - A resource this instance has not established under its current spec (never seen, found
//     in conflict, or established under an older spec of its own) is written without a second
//     look: its difference is this instance's doing, or a first sight.
//   - An established resource whose plan writes changed behind this instance's back. One fresh
//     read of its marker says who changed it last. A marker of another instance AND another
//     digest is evidence of another kmswatch: the resource is contested. Anything else — no
//     marker, this instance's own, the same instance or the same spec, or the other's marker
//     over values its spec never produced (the difference seen under each marker is remembered)
//     — is drift, written now, every time. Backing off is never a way to silence kmswatch; a
//     forged marker slows repairs at most to the cap.
//   - A contested resource is written once at once, so that the other instance sees this one's
//     marker and notices too; after that its writes wait a backoff, per resource, that doubles
//     at every write up to the cap. There is no automatic winner; once the other instance
//     stops, this instance's spec holds within the backoff.
//   - The marker is read once per change: not while the resource shows the very difference the
//     pass before held back.
//   - A contest is forgotten once its evidence has not been seen for two backoff windows, and a
//     resource no pass has planned for keep.
//
// Book is pure: time comes in as an argument, and the one read it may need as a function. Its
// caller (the reconcile controller) keeps one per region, under its own lock.
package contest
