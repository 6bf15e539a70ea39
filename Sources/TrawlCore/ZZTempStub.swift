public enum Validators { public static let all: [String: Validator] = [:]; public static func named(_ n: String) -> Validator? { nil } }
