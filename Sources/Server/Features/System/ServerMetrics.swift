import Metrics
import Prometheus

/// What `/metrics` shows, in Prometheus text format: Hummingbird's `MetricsMiddleware` counts and times every request
/// through swift-metrics into a swift-prometheus registry, and the database pool's gauges are set at each scrape.
///
/// swift-metrics has one backend per process, so the executable bootstraps it once and hands the result to the server:
///
/// ```swift
/// let configuration = ServerConfiguration(port: 8080, metrics: .bootstrap())
/// ```
///
/// A `ServerMetrics()` that was never bootstrapped still shows the pool, but no requests: tests build many
/// applications in one process and only the one that checks request counts uses the process's bootstrapped registry.
public struct ServerMetrics: Sendable {
    /// Everything `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let poolOpen: Prometheus.Gauge
    private let poolInUse: Prometheus.Gauge
    private let poolWaiting: Prometheus.Gauge
    private let poolSize: Prometheus.Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        let connections = MetricNameDescriptor(metricName: "db_pool_connections", unitName: "", helpText: "Database connections by state.")
        poolOpen = registry.makeGauge(descriptor: connections, labels: [("state", "open")])
        poolInUse = registry.makeGauge(descriptor: connections, labels: [("state", "in_use")])
        poolWaiting = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "db_pool_waiting", unitName: "", helpText: "Requests waiting for a database connection.")
        )
        poolSize = registry.makeGauge(
            descriptor: MetricNameDescriptor(metricName: "db_pool_size", unitName: "", helpText: "The most database connections the pool opens.")
        )
    }

    /// Makes swift-metrics write into a new registry under Clusterfund's metric names, for the whole process.
    /// Call it once per process (swift-metrics traps on a second bootstrap): the executable does, before serving.
    public static func bootstrap() -> ServerMetrics {
        let metrics = ServerMetrics()
        MetricsSystem.bootstrap(metrics.factory)
        return metrics
    }

    /// The swift-metrics backend over `registry`; it renames what `MetricsMiddleware` records to the names
    /// dashboards already use.
    var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = Self.rename
        return factory
    }

    /// Hummingbird's OpenTelemetry-style names, and the labels in a fixed order (method, route, status), become
    /// ours: `http_requests_total`, `http_request_duration_seconds` and `http_request_errors_total`, by `method`,
    /// `route` and `status`; a request that matched no route is under `route="unmatched"`.
    static func rename(_ label: String, _ dimensions: [(String, String)]) -> (String, [(String, String)]) {
        let names = [
            "hb.requests": "http_requests_total",
            "http.server.request.duration": "http_request_duration_seconds",
            "hb.request.errors": "http_request_errors_total",
            "http.server.active_requests": "http_requests_in_flight",
        ]
        let keys = ["http.request.method": "method", "http.route": "route", "http.response.status_code": "status", "error.type": "status"]
        let order = ["method", "route", "status"]
        let renamed = dimensions.map { key, value -> (String, String) in
            let name = keys[key] ?? key
            return (name, name == "route" && ["Unknown", "NotFound"].contains(value) ? "unmatched" : value)
        }
        let sorted = renamed.sorted { (order.firstIndex(of: $0.0) ?? order.count, $0.0) < (order.firstIndex(of: $1.0) ?? order.count, $1.0) }
        return (names[label] ?? label, sorted)
    }

    /// Sets the pool gauges to `pool`, then renders every metric in Prometheus text format.
    func exposition(pool: (open: Int, inUse: Int, waiting: Int, size: Int)) -> String {
        poolOpen.set(Int64(pool.open))
        poolInUse.set(Int64(pool.inUse))
        poolWaiting.set(Int64(pool.waiting))
        poolSize.set(Int64(pool.size))
        return registry.emitToString()
    }
}
