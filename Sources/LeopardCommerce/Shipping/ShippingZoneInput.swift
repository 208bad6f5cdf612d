import LeopardCore

/// The body of `POST /api/shipping-zones` (and of `PUT …/:id`, which replaces a zone).
public struct ShippingZoneInput: Decodable, Sendable {
    public struct Band: Decodable, Sendable {
        public var upTo: Int
        public var rate: MoneyInput
    }

    public struct Method: Decodable, Sendable {
        public var name: String
        public var kind: String
        public var rate: MoneyInput?
        public var bands: [Band]?
        public var freeOver: MoneyInput?
    }

    public var name: String
    public var countries: [String]?
    public var regions: [String]?
    public var methods: [Method]

    static let maximumPlaces = 300
    static let maximumMethods = 20
    static let maximumBands = 20

    /// The places and methods, checked: every problem named by its field.
    func checked(currency: String) throws(Problem) -> (name: String, places: [Place], methods: [ShippingZone.Method]) {
        var errors: [Problem.FieldError] = []
        let name = name.trimmingWhitespace()
        if name.isEmpty || name.count > 100 { errors.append(.init(field: "name", message: "must be 1 to 100 characters")) }
        var places: [Place] = []
        for (index, code) in (countries ?? []).enumerated() {
            if let place = Place(country: code), place.region.isEmpty {
                places.append(place)
            } else {
                errors.append(.init(field: "countries.\(index)", message: "must be an ISO 3166-1 alpha-2 code such as US or DE"))
            }
        }
        for (index, code) in (regions ?? []).enumerated() {
            if let place = Place(country: code), !place.region.isEmpty {
                places.append(place)
            } else {
                errors.append(.init(field: "regions.\(index)", message: "must be a country and region code such as US-CA"))
            }
        }
        if places.isEmpty && errors.isEmpty { errors.append(.init(field: "countries", message: "must name at least one country or region")) }
        if places.count > Self.maximumPlaces { errors.append(.init(field: "countries", message: "must name at most \(Self.maximumPlaces) places")) }
        if Set(places).count != places.count { errors.append(.init(field: "countries", message: "must not name a place twice")) }
        if methods.isEmpty || methods.count > Self.maximumMethods {
            errors.append(.init(field: "methods", message: "must have 1 to \(Self.maximumMethods) methods"))
        }
        var checkedMethods: [ShippingZone.Method] = []
        for (index, method) in methods.enumerated() {
            let (checked, problems) = Self.check(method, field: "methods.\(index)", currency: currency)
            errors += problems
            if let checked { checkedMethods.append(checked) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return (name, places.sorted(), checkedMethods)
    }

    static func check(_ method: Method, field: String, currency: String) -> (ShippingZone.Method?, [Problem.FieldError]) {
        var errors: [Problem.FieldError] = []
        let name = method.name.trimmingWhitespace()
        if name.isEmpty || name.count > 100 { errors.append(.init(field: "\(field).name", message: "must be 1 to 100 characters")) }
        guard let kind = ShippingZone.Kind(rawValue: method.kind) else {
            errors.append(.init(field: "\(field).kind", message: "must be flat, weight or price"))
            return (nil, errors)
        }
        if let rate = method.rate { errors += rate.problems(field: "\(field).rate", storeCurrency: currency) }
        if let freeOver = method.freeOver { errors += freeOver.problems(field: "\(field).freeOver", storeCurrency: currency) }
        let bands = method.bands ?? []
        switch kind {
        case .flat:
            if method.rate == nil { errors.append(.init(field: "\(field).rate", message: "is required for a flat method")) }
        case .weight, .price:
            if bands.isEmpty || bands.count > maximumBands {
                errors.append(.init(field: "\(field).bands", message: "must have 1 to \(maximumBands) bands for a \(kind.rawValue) method"))
            }
        }
        var previous = -1
        for (index, band) in bands.enumerated() {
            if band.upTo <= previous || band.upTo > Money.maximumAmount {
                errors.append(.init(field: "\(field).bands.\(index).upTo", message: "must be larger than the band before it, at most \(Money.maximumAmount)"))
            }
            previous = band.upTo
            errors += band.rate.problems(field: "\(field).bands.\(index).rate", storeCurrency: currency)
        }
        guard errors.isEmpty else { return (nil, errors) }
        let money = { (amount: Int) in Money(amount: amount, currency: currency) }
        return (
            ShippingZone.Method(
                id: "", name: name, kind: kind, rate: method.rate.map { money($0.amount) },
                bands: bands.map { ShippingZone.Band(upTo: $0.upTo, rate: money($0.rate.amount)) }, freeOver: method.freeOver.map { money($0.amount) }),
            []
        )
    }
}
