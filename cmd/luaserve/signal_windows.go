package main

import "os"

// reloadSignal is nil: Windows has no SIGHUP one can send a process (Go
// delivers only Ctrl-C, Ctrl-Break and the close events). Reload there with
// -watch, or restart the server.
func reloadSignal() (os.Signal, string) { return nil, "" }
