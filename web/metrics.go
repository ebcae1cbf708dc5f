// Package web is Langran's HTTP plumbing: middleware for request IDs, logs,
// metrics, limits and panics; the GraphQL error presenter and request-limit
// extensions for gqlgen; health and metrics endpoints. It knows nothing of
// the schema: server.go plugs the generated GraphQL handler into it.
package web

import (
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the Prometheus metrics the service exports at /metrics.
type Metrics struct {
	Registry        *prometheus.Registry
	DBQueries       prometheus.Counter
	Requests        *prometheus.CounterVec
	RequestDuration *prometheus.HistogramVec
	Errors          *prometheus.CounterVec
	APQ             *prometheus.CounterVec
}

// NewMetrics registers the service's metrics on a fresh registry (not the
// global one, so that tests can build many servers in one process).
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		DBQueries: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "langran_db_queries_total",
			Help: "SQL statements executed, counted by a GORM callback.",
		}),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "langran_graphql_requests_total",
			Help: "GraphQL requests by operation name and HTTP status.",
		}, []string{"operation", "status"}),
		RequestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "langran_graphql_request_duration_seconds",
			Help:    "GraphQL request duration by operation name.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"operation"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "langran_graphql_errors_total",
			Help: "GraphQL errors returned to clients, by error code.",
		}, []string{"code"}),
		APQ: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "langran_graphql_apq_total",
			Help: "Automatic persisted query lookups by result (hit, miss, register).",
		}, []string{"result"}),
	}
	m.Registry.MustRegister(m.DBQueries, m.Requests, m.RequestDuration, m.Errors, m.APQ,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// OperationLabels maps GraphQL operation names to metric labels. Names come
// from clients, so labelling whatever they send would let anyone create
// series without bound, or take the label space first and push the real
// operations out. Only names the server knows become labels: the configured
// list (LANGRAN_METRICS_OPERATIONS, the operations of your storefronts and
// integrations). Any other name is "other"; an unnamed operation is
// "anonymous", and a request refused before its operation was known "none".
// The number of series is fixed by the configuration.
type OperationLabels struct {
	known map[string]bool
}

// AnonymousOperation is how logs name an operation that has no name; it is
// not a GraphQL name, so no operation can take it.
const AnonymousOperation = "(anonymous)"

// NewOperationLabels returns the labels for the given known names.
func NewOperationLabels(names []string) *OperationLabels {
	o := &OperationLabels{known: make(map[string]bool, len(names))}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			o.known[n] = true
		}
	}
	return o
}

// Label returns the metric label for an operation name.
func (o *OperationLabels) Label(name string) string {
	switch {
	case name == "":
		return "none"
	case name == AnonymousOperation:
		return "anonymous"
	case o.known[name]:
		return name
	default:
		return "other"
	}
}
