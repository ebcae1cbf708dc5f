// Package web is Langran's HTTP plumbing: middleware for request IDs, logs,
// metrics, limits and panics; the GraphQL error presenter and request-limit
// extensions for gqlgen; health and metrics endpoints. It knows nothing of
// the schema: server.go plugs the generated GraphQL handler into it.
package web

import (
	"net/http"

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
