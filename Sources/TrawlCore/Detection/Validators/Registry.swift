// Registry of the named validators that detector definitions refer to (`validator: <name>`).

public enum Validators {
    /// Every validator, by name.
    public static let all: [String: Validator] = {
        var table: [String: Validator] = [:]
        for validator in list { table[validator.name] = validator }
        return table
    }()

    /// The validator called `name`, if any.
    public static func named(_ name: String) -> Validator? { all[name] }

    private static let list: [Validator] = [
        Validator(name: "luhn",
                  summary: "Digits only (separators ignored), Luhn mod 10.",
                  check: BankingValidators.luhn),
        Validator(name: "payment_card",
                  summary: "Luhn + IIN/length table (Visa, Mastercard, Amex, Discover, JCB, Diners, Maestro, UnionPay, UATP); published test PANs are weak.",
                  check: BankingValidators.paymentCard),
        Validator(name: "iban",
                  summary: "SWIFT registry country, length and BBAN structure, ISO 7064 mod 97-10, French RIB key for FR/MC.",
                  check: BankingValidators.iban),
        Validator(name: "bic",
                  summary: "ISO 9362 shape: 4 letters, ISO 3166 country (or XK), 2 + optional 3 alphanumerics.",
                  check: BankingValidators.bic),
        Validator(name: "fr_nir",
                  summary: "French NIR: 15 characters, sex 1/2/7, month 01-12 or pseudo-month, 2A/2B, key = 97 - (body mod 97).",
                  check: IdentityValidators.frNIR),
        Validator(name: "us_ssn",
                  summary: "US SSN: forbidden areas/groups/serials, consistent separators, published and trivial numbers rejected.",
                  check: IdentityValidators.usSSN),
        Validator(name: "mrz",
                  summary: "ICAO 9303 MRZ (TD1, TD2, TD3, MRV-A, MRV-B, legacy French ID): all 7-3-1 check digits of one layout verify.",
                  check: IdentityValidators.mrz),
        Validator(name: "siren",
                  summary: "French SIREN: 9 digits, Luhn.",
                  check: IdentityValidators.siren),
        Validator(name: "siret",
                  summary: "French SIRET: 14 digits, Luhn on SIRET and SIREN prefix; La Poste digit-sum rule.",
                  check: IdentityValidators.siret),
        Validator(name: "fr_ine",
                  summary: "French INE: BEA mod-23 key and base-36 NNE key verified; RNIE, SIFA and provisional INE format only.",
                  check: IdentityValidators.frINE),
        Validator(name: "email",
                  summary: "E-mail address lengths, labels and TLD; file-extension TLDs rejected; reserved domains weak.",
                  check: ContactValidators.email),
        Validator(name: "ip",
                  summary: "IPv4 (strict octets) or IPv6 (inet_pton); private, documentation, loopback and multicast ranges weak.",
                  check: DeviceValidators.ip),
        Validator(name: "fr_phone",
                  summary: "French and overseas (+262/590/594/596) numbers in national or international form, numbering-plan ranges.",
                  check: ContactValidators.frPhone),
        Validator(name: "intl_phone",
                  summary: "International number: + or 00, then 8-15 digits, country code not starting with 0.",
                  check: ContactValidators.intlPhone),
        Validator(name: "date_of_birth",
                  summary: "Real calendar date from 1900 up to today (FR day-first, ISO, month names, compact, US fallback).",
                  check: DateValidators.dateOfBirth),
        Validator(name: "imei",
                  summary: "IMEI: 15 digits Luhn (14-digit and 16-digit IMEISV forms plausible).",
                  check: DeviceValidators.imei),
        Validator(name: "mac",
                  summary: "EUI-48 MAC address with consistent separators; broadcast and all-zero rejected.",
                  check: DeviceValidators.mac),
    ]
}
