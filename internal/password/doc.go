// Package password hashes passwords with argon2id and checks them against
// stored hashes, argon2id or bcrypt. It knows nothing of Lua: luaserve.crypto
// is a thin binding over it.
//
// Hashes are strings in the PHC format
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>", unpadded standard base64),
// so the parameters travel with the hash and can be raised later:
// NeedsRehash tells when a stored hash was made with other ones. bcrypt
// hashes ("$2a$", "$2b$", "$2y$") verify, for data carried over from
// elsewhere, and always need a rehash.
//
// Hashing is slow on purpose. Hash and Verify run on the caller's
// goroutine (a request's), but at most GOMAXPROCS of them at once in the
// whole process, so a burst of log-ins queues instead of taking every CPU
// and all the memory argon2 asks for; a caller whose context ends while it
// waits gives up with the context's cause. A hash that has started runs to
// its end (argon2 cannot be interrupted): it takes tens of milliseconds.
//
// It does not pepper, rate-limit log-ins, or compare user names: those are
// the application's.
package password
