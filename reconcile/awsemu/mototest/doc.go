// Package mototest runs moto's standalone server (moto_server) for tests that check the emulator
// against a second, independent implementation of the AWS APIs.
//
// Start launches moto_server on a free loopback port, waits until it answers, and stops it (its
// whole process group) when the test ends. Because moto takes about a second to start, a
// package should start one server and call Reset between scenarios; moto's reset is global, so
// scenarios sharing a server must not run in parallel.
//
// When moto_server is not on PATH, Start skips the test with a message saying so — unless the
// environment sets KMSWATCH_REQUIRE_MOTO=1 (as CI does), in which case it fails the test.
package mototest
