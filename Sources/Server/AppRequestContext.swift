import Hummingbird

/// What a request has learned on its way through the middleware. Identity arrives with the access issue.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// Uploads and forms are small here; anything larger is refused before it is read.
    public var maxUploadSize: Int { 1024 * 1024 }
}
