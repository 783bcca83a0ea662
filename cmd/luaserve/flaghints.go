package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"time"
)

// The flag package words a bad value as "invalid value "5" for flag
// -timeout: parse error" and then prints the whole usage, which pushes the
// one useful line off the screen. parseFlags prints the error alone, made
// specific where a common slip has a known fix, and points to -h.

// parseFlags parses args into fs. On a bad flag it prints one specific
// message and returns exit status 2; -h prints the usage and returns
// flag.ErrHelp.
func parseFlags(fs *flag.FlagSet, args []string) error {
	usage, out := fs.Usage, fs.Output()
	var discard bytes.Buffer
	fs.Usage = func() {}
	fs.SetOutput(&discard) // the flag package's own wording of the error
	err := fs.Parse(args)
	fs.Usage = usage
	fs.SetOutput(out)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		usage()
		return err
	}
	fmt.Fprintf(out, "%s: %s\nRun '%s -h' for the flags.\n", fs.Name(), flagProblem(fs, err), fs.Name())
	return exitCode(2)
}

var invalidValue = regexp.MustCompile(`^invalid value "(.*)" for flag -(\S+): `)

// flagProblem words a parse error, with a fix for a duration without a
// unit.
func flagProblem(fs *flag.FlagSet, err error) string {
	m := invalidValue.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	value, name := m[1], m[2]
	if f := fs.Lookup(name); f != nil {
		if g, ok := f.Value.(flag.Getter); ok {
			if _, isDuration := g.Get().(time.Duration); isDuration {
				return "-" + name + " " + strconv.Quote(value) + ": " + durationHint(value)
			}
		}
	}
	return err.Error()
}

// durationHint explains a value time.ParseDuration refused.
func durationHint(value string) string {
	if _, err := strconv.ParseFloat(value, 64); err == nil {
		return fmt.Sprintf("a duration needs a unit: write %ss for seconds (or %sms, %sm, %sh)", value, value, value, value)
	}
	return "not a duration; write a number with a unit, such as 30s, 500ms, 2m or 1h30m"
}

// checkAddr explains an -addr that cannot be listened on as written:
// a bare port ("8080"), a missing port, a port out of range.
func checkAddr(addr string) error {
	if _, err := strconv.Atoi(addr); err == nil {
		return usageError{fmt.Sprintf("-addr %s: a port alone needs a colon: write -addr :%s (every interface) or -addr 127.0.0.1:%s (this machine only)", addr, addr, addr)}
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return usageError{fmt.Sprintf("-addr %q: want host:port, such as :8080, 127.0.0.1:8080 or [::1]:8080", addr)}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		if _, lookErr := net.LookupPort("tcp", port); lookErr != nil {
			return usageError{fmt.Sprintf("-addr %s: port %q is not a number from 0 to 65535", addr, port)}
		}
	}
	return nil
}
