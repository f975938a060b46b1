// Command fmesh-pulsaradmin drives a Pulsar admin REST v3 server (the fmesh worker in the
// conformance run) through github.com/apache/pulsar-client-go/pulsaradmin, the client library
// pulsarctl is built on, so the server sees that library's plural paths (/admin/v3/sinks,
// /admin/v3/sources) and its multipart form exactly as pulsarctl sends them.
//
// Usage, one call per run (the conformance scenario checks the API server between calls):
//
//	fmesh-pulsaradmin <admin-url> functions|sinks|sources create|update <config-json> [<package-url-or-file>]
//	fmesh-pulsaradmin <admin-url> functions|sinks|sources get|delete <tenant> <namespace> <name>
//	fmesh-pulsaradmin <admin-url> functions|sinks|sources list <tenant> <namespace>
//
// A package argument starting with function://, sink://, source://, http or file is sent as the
// `url` part (the *WithURL calls); anything else is a local file sent as the `data` part, and a
// missing one (or builtin://) sends the config alone. On success the result (get: the config;
// list: the names; else {"ok":true}) is printed as JSON on stdout and the exit code is 0; on
// failure the library's error is printed on stderr and the exit code is 1 (2 for bad usage).
//
// With FMESH_PULSARADMIN_TOKEN set, every request carries `Authorization: Bearer <token>` (the
// library's token authentication, as pulsarctl's --token); the token is never printed.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/apache/pulsar-client-go/pulsaradmin"
	"github.com/apache/pulsar-client-go/pulsaradmin/pkg/admin/config"
	"github.com/apache/pulsar-client-go/pulsaradmin/pkg/utils"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fmesh-pulsaradmin <admin-url> functions|sinks|sources <create|update> <config-json> [package] | <get|delete> <tenant> <namespace> <name> | list <tenant> <namespace>")
	os.Exit(2)
}

// isURL mirrors pulsarctl's test: a package given by URL rather than as a local file.
func isURL(pkg string) bool {
	for _, p := range []string{"http", "file", "function://", "sink://", "source://"} {
		if strings.HasPrefix(pkg, p) {
			return true
		}
	}
	return false
}

func run(args []string) (interface{}, error) {
	// pulsarctl's functions, sinks and sources commands use API version 3 (the default is 2).
	cfg := &pulsaradmin.Config{WebServiceURL: args[0], PulsarAPIVersion: config.V3}
	if token := os.Getenv("FMESH_PULSARADMIN_TOKEN"); token != "" {
		cfg.Token = token
	}
	client, err := pulsaradmin.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	kind, op, rest := args[1], args[2], args[3:]
	need := func(n int) {
		if len(rest) < n {
			usage()
		}
	}
	pkg := ""
	if (op == "create" || op == "update") && len(rest) > 1 {
		pkg = rest[1]
	}
	ok := map[string]bool{"ok": true}
	switch kind + " " + op {
	case "functions create", "functions update":
		need(1)
		var c utils.FunctionConfig
		if err := json.Unmarshal([]byte(rest[0]), &c); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		f := client.Functions()
		switch {
		case op == "create" && isURL(pkg):
			err = f.CreateFuncWithURL(&c, pkg)
		case op == "create":
			err = f.CreateFunc(&c, pkg)
		case isURL(pkg):
			err = f.UpdateFunctionWithURL(&c, pkg, nil)
		default:
			err = f.UpdateFunction(&c, pkg, nil)
		}
		return ok, err
	case "sinks create", "sinks update":
		need(1)
		var c utils.SinkConfig
		if err := json.Unmarshal([]byte(rest[0]), &c); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		s := client.Sinks()
		switch {
		case op == "create" && isURL(pkg):
			err = s.CreateSinkWithURL(&c, pkg)
		case op == "create":
			err = s.CreateSink(&c, pkg)
		case isURL(pkg):
			err = s.UpdateSinkWithURL(&c, pkg, nil)
		default:
			err = s.UpdateSink(&c, pkg, nil)
		}
		return ok, err
	case "sources create", "sources update":
		need(1)
		var c utils.SourceConfig
		if err := json.Unmarshal([]byte(rest[0]), &c); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		s := client.Sources()
		switch {
		case op == "create" && isURL(pkg):
			err = s.CreateSourceWithURL(&c, pkg)
		case op == "create":
			err = s.CreateSource(&c, pkg)
		case isURL(pkg):
			err = s.UpdateSourceWithURL(&c, pkg, nil)
		default:
			err = s.UpdateSource(&c, pkg, nil)
		}
		return ok, err
	case "functions get":
		need(3)
		return client.Functions().GetFunction(rest[0], rest[1], rest[2])
	case "sinks get":
		need(3)
		return client.Sinks().GetSink(rest[0], rest[1], rest[2])
	case "sources get":
		need(3)
		return client.Sources().GetSource(rest[0], rest[1], rest[2])
	case "functions list":
		need(2)
		return client.Functions().GetFunctions(rest[0], rest[1])
	case "sinks list":
		need(2)
		return client.Sinks().ListSinks(rest[0], rest[1])
	case "sources list":
		need(2)
		return client.Sources().ListSources(rest[0], rest[1])
	case "functions delete":
		need(3)
		return ok, client.Functions().DeleteFunction(rest[0], rest[1], rest[2])
	case "sinks delete":
		need(3)
		return ok, client.Sinks().DeleteSink(rest[0], rest[1], rest[2])
	case "sources delete":
		need(3)
		return ok, client.Sources().DeleteSource(rest[0], rest[1], rest[2])
	}
	usage()
	return nil, nil
}

func main() {
	if len(os.Args) < 4 {
		usage()
	}
	out, err := run(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	text, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(text))
}
