import OpenAPIRuntime

#if canImport(OpenAPIURLSession)
    import OpenAPIURLSession
#elseif canImport(OpenAPIAsyncHTTPClient)
    import OpenAPIAsyncHTTPClient
#endif

/// The transport a ``Store`` or ``Platform`` uses unless given one: URLSession on Apple
/// platforms, AsyncHTTPClient's shared client elsewhere.
enum DefaultTransport {
    static func make() -> any ClientTransport {
        #if canImport(OpenAPIURLSession)
            URLSessionTransport()
        #else
            AsyncHTTPClientTransport()
        #endif
    }
}
