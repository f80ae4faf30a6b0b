//! [`HttpUrl`] against `url` (a dev-dependency): the same strings for every input patkit
//! accepts, and refusals where patkit is stricter.

use proptest::prelude::*;

use super::*;

fn ours(input: &str) -> HttpUrl {
    HttpUrl::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"))
}

fn theirs(input: &str) -> url::Url {
    url::Url::parse(input).unwrap_or_else(|e| panic!("url refuses {input:?}: {e}"))
}

/// Ours parses `input` as `url` does: the same text, host, port and components.
fn same_as_url(input: &str) -> Result<(), TestCaseError> {
    let (mine, reference) = (ours(input), theirs(input));
    prop_assert_eq!(mine.as_str(), reference.as_str(), "{:?}", input);
    prop_assert_eq!(mine.scheme(), reference.scheme());
    prop_assert_eq!(Some(mine.host_str()), reference.host_str());
    prop_assert_eq!(Some(mine.port_or_default()), reference.port_or_known_default());
    prop_assert_eq!(mine.path(), reference.path());
    prop_assert_eq!(mine.query(), reference.query());
    prop_assert_eq!(mine.fragment(), reference.fragment());
    prop_assert_eq!(mine.to_string(), reference.to_string());
    Ok(())
}

#[test]
fn the_urls_patkit_uses_read_as_url_reads_them() {
    for input in [
        "https://vssps.dev.azure.com",
        "https://dev.azure.com/",
        "https://gitlab.com/api/v4",
        "https://api.github.com",
        "https://ghe.example/api/v3/",
        "http://127.0.0.1:8200",
        "http://127.0.0.1:8080/x/",
        "http://localhost:9/fabrikam",
        "http://[::1]:8200",
        "HTTPS://Vault.Example.COM:443/proxy/",
        "http://example.test:80/a",
        "https://example.test:0080/a",
        "https://example.test:8443",
        "https://example.test:/a",
        "https://proxy.example/api/",
        "https://hooks.example.com/patkit?key=a b&c='d'#frag ment`x",
        "https://api.github.com/organizations/652551/personal-access-tokens?per_page=2&page=3",
        "https://gitlab.example/api/v4/personal_access_tokens?page=1&per_page=2",
        "https://example.test/a%2Fb/c%zz/{x}/é/\"q\"/<>",
        "https://example.test?",
        "https://example.test#",
        "https://example.test/?#",
        "  https://example.test/trimmed \u{0}",
        "https://example.test//double//slashes",
        "https://a_b-c.example./x:y@z",
        "https://xn--nxasmq6b.example",
        "https://[2001:db8::1:0:0:1]:8443/",
        "https://[::ffff:127.0.0.1]",
    ] {
        same_as_url(input).unwrap();
    }
}

#[test]
fn what_url_would_rewrite_or_guess_is_refused() {
    let cases: &[(&str, UrlError)] = &[
        ("https://user:pw@vault", UrlError::UserInfo),
        ("https://user@vault", UrlError::UserInfo),
        ("https://@vault", UrlError::UserInfo),
        ("ftp://vault", UrlError::Scheme),
        ("mailto:a@b", UrlError::Scheme),
        ("nope", UrlError::NotAbsolute),
        ("not a url", UrlError::NotAbsolute),
        ("/relative/path", UrlError::NotAbsolute),
        ("https:example.test", UrlError::NotAbsolute),
        ("https:/example.test", UrlError::NotAbsolute),
        ("https://bücher.example", UrlError::NonAsciiHost),
        ("https://example.test:65536", UrlError::Port),
        ("https://example.test:8a", UrlError::Port),
        ("https://example.test:-1", UrlError::Port),
    ];
    for (input, expected) in cases {
        assert_eq!(HttpUrl::parse(input).err(), Some(*expected), "{input}");
    }
    for refused in [
        "https://",
        "https://127.1",
        "https://0x7f.0.0.1",
        "https://exa mple.test",
        "https://ex%41mple.test",
        "https://[::1]x",
        "https://example.test\\a",
        "https://example.test/a\\b",
        "https://example.test/a/../b",
        "https://example.test/a/%2E",
        "https://example.test/./b",
        "https://exam\tple.test",
        "https://example.test/a\nb",
    ] {
        assert!(HttpUrl::parse(refused).is_err(), "{refused:?}");
    }
    // The reason never quotes the text (a password, a key in a webhook path).
    let reason = HttpUrl::parse("https://alice:hunter2@vault").unwrap_err().to_string();
    assert!(!reason.contains("hunter2") && !reason.contains("alice"), "{reason}");
    assert!(HttpUrl::parse("https://bücher.example").unwrap_err().to_string().contains("xn--"));
}

#[test]
fn hosts_ports_and_loopback() {
    let url = ours("HTTP://LocalHost:8080/x");
    assert_eq!((url.scheme(), url.host_str(), url.port_or_default()), ("http", "localhost", 8080));
    assert!(url.host().is_loopback());
    assert_eq!(ours("https://[::1]").host_str(), "[::1]");
    assert_eq!(ours("https://example.test").port_or_default(), 443);
    assert_eq!(ours("http://example.test").port_or_default(), 80);
    assert_eq!(ours("http://example.test:443").as_str(), "http://example.test:443/");
}

fn pushed(base: &str, segments: &[&str]) -> (String, String) {
    let mut mine = ours(base);
    mine.push_segments(segments);
    let mut reference = theirs(base);
    reference.path_segments_mut().unwrap().pop_if_empty().extend(segments);
    (mine.to_string(), reference.to_string())
}

#[test]
fn pushed_segments_are_encoded_as_url_encodes_them() {
    for (base, segments, expected) in [
        ("https://proxy.example/api/", &["my org", "a/b"][..], "https://proxy.example/api/my%20org/a%2Fb"),
        ("https://example.test", &["x"], "https://example.test/x"),
        ("http://127.0.0.1:8200/v1/", &["team a", "feed?#%ü"], "http://127.0.0.1:8200/v1/team%20a/feed%3F%23%25%C3%BC"),
        ("https://e.test/a?q=1#f", &["b\\c", "{}<>\"`'"], "https://e.test/a/b%5Cc/%7B%7D%3C%3E%22%60'?q=1#f"),
        ("https://e.test/a", &["..", "b", ".", "", "c"], "https://e.test/a/b//c"),
        ("https://e.test/", &["", "v1", ""], "https://e.test/v1/"),
        ("https://e.test/", &["~!$&()*+,;=:@[]|^"], "https://e.test/~!$&()*+,;=:@[]|^"),
    ] {
        let (mine, reference) = pushed(base, segments);
        assert_eq!(mine, expected);
        assert_eq!(mine, reference);
    }
}

#[test]
fn a_tab_or_line_break_in_a_segment_is_encoded_where_url_drops_it() {
    let (mine, reference) = pushed("https://e.test/", &["a\tb\nc\rd"]);
    assert_eq!(mine, "https://e.test/a%09b%0Ac%0Dd");
    assert_eq!(reference, "https://e.test/abcd");
}

fn appended(base: &str, pairs: &[(&str, &str)]) -> (String, String) {
    let mut mine = ours(base);
    mine.extend_pairs(pairs.iter().copied());
    let mut reference = theirs(base);
    reference.query_pairs_mut().extend_pairs(pairs);
    (mine.to_string(), reference.to_string())
}

#[test]
fn query_pairs_are_form_encoded_as_url_encodes_them() {
    for (base, pairs, expected) in [
        (
            "https://e.test/_apis",
            &[("api-version", "7.1-preview.1")][..],
            "https://e.test/_apis?api-version=7.1-preview.1",
        ),
        (
            "https://e.test/x?a=1",
            &[("$top", "5"), ("q", "a b+c&d=é")],
            "https://e.test/x?a=1&%24top=5&q=a+b%2Bc%26d%3D%C3%A9",
        ),
        ("https://e.test/x?", &[("k", "")], "https://e.test/x?k="),
        ("https://e.test/x#frag", &[("k", "v")], "https://e.test/x?k=v#frag"),
    ] {
        let (mine, reference) = appended(base, pairs);
        assert_eq!(mine, expected);
        assert_eq!(mine, reference);
    }
    let mut url = ours("https://e.test/x");
    url.extend_pairs(std::iter::empty::<(&str, &str)>());
    assert_eq!(url.as_str(), "https://e.test/x", "no pairs, no `?` (url would leave one)");
    let url = ours("https://e.test/x?page=3&per_page=2&q=a+b%20c");
    let pairs: Vec<(String, String)> = url.query_pairs().collect();
    let reference: Vec<(String, String)> = theirs(url.as_str()).query_pairs().into_owned().collect();
    assert_eq!(pairs, reference);
    assert_eq!(pairs[2], ("q".to_owned(), "a b c".to_owned()));
}

/// A host patkit accepts: a name (letters, digits, `-`, `_`; the last label not a number), an
/// IPv4 address, or an IPv6 address written in full, shortened or with an IPv4 tail.
fn host() -> impl Strategy<Value = String> {
    let label = "[a-zA-Z0-9_-]{1,8}";
    let last = "[a-zA-Z_-][a-zA-Z0-9_-]{0,7}";
    let name = (proptest::collection::vec(label, 0..3), last, any::<bool>()).prop_map(|(labels, last, dot)| {
        let mut name = labels.join(".");
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&last);
        if dot {
            name.push('.');
        }
        name
    });
    prop_oneof![
        name.prop_filter("not punycode", |n| !n.to_ascii_lowercase().split('.').any(|l| l.starts_with("xn--"))),
        any::<[u8; 4]>().prop_map(|ip| std::net::Ipv4Addr::from(ip).to_string()),
        (any::<[u16; 8]>(), 0..3usize, any::<bool>()).prop_map(|(pieces, zeros, full)| {
            // Runs of zeros make the `::` shortening happen.
            let mut pieces = pieces;
            for piece in pieces.iter_mut().skip(2).take(zeros * 2) {
                *piece = 0;
            }
            let ip = std::net::Ipv6Addr::from(pieces);
            if full { format!("[{}]", pieces.map(|p| format!("{p:X}")).join(":")) } else { format!("[{ip}]") }
        }),
    ]
}

/// Text for a component: any characters but the ones that end it and tabs and line breaks.
fn text(ends: &'static [char]) -> impl Strategy<Value = String> {
    "\\PC{0,12}|[ -~]{0,12}|[%a-f0-9.]{0,6}|[\\x00-\\x20\\x7f]{0,4}"
        .prop_map(move |s| s.replace(ends, "").replace(['\t', '\n', '\r'], ""))
}

fn http_url() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![Just("http"), Just("https"), Just("HTTPS"), Just("Http")];
    let port = prop_oneof![Just(String::new()), any::<u16>().prop_map(|p| format!(":{p}")), Just(":".to_owned())];
    let segment = text(&['/', '?', '#', '\\']).prop_filter("not a dot segment", |s| {
        !matches!(s.to_ascii_lowercase().as_str(), "." | ".." | "%2e" | "%2e%2e" | ".%2e" | "%2e.")
    });
    let path = proptest::collection::vec(segment, 0..4)
        .prop_map(|s| if s.is_empty() { String::new() } else { format!("/{}", s.join("/")) });
    let query = proptest::option::of(text(&['#']));
    let fragment = proptest::option::of(text(&[]));
    (scheme, host(), port, path, query, fragment).prop_map(|(scheme, host, port, path, query, fragment)| {
        let mut url = format!("{scheme}://{host}{port}{path}");
        if let Some(query) = query {
            url.push('?');
            url.push_str(&query);
        }
        if let Some(fragment) = fragment {
            url.push('#');
            url.push_str(&fragment);
        }
        url
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Every URL of the accepted shape parses, and as `url` parses it.
    #[test]
    fn accepted_urls_read_as_url_reads_them(input in http_url()) {
        same_as_url(&input)?;
    }

    /// Whatever else patkit accepts, `url` accepts too and writes the same way.
    #[test]
    fn nothing_is_accepted_that_url_reads_differently(
        tail in "\\PC{0,24}|[ -~]{0,24}|[a-fA-F0-9.:\\[\\]@/?#%_x -]{0,24}",
        https in any::<bool>(),
    ) {
        let input = format!("{}://{tail}", if https { "https" } else { "http" });
        if HttpUrl::parse(&input).is_ok() {
            same_as_url(&input)?;
        }
    }

    /// Appended segments and pairs are the ones `url` appends (tabs and line breaks aside).
    #[test]
    fn appending_matches_url(
        base in http_url(),
        segments in proptest::collection::vec(text(&[]), 0..4),
        pairs in proptest::collection::vec((text(&[]), "\\PC{0,8}"), 0..3),
    ) {
        let mut mine = ours(&base);
        mine.push_segments(&segments);
        let mut reference = theirs(&base);
        reference.path_segments_mut().unwrap().pop_if_empty().extend(&segments);
        prop_assert_eq!(mine.as_str(), reference.as_str());
        if !pairs.is_empty() {
            mine.extend_pairs(pairs.iter().map(|(k, v)| (k, v)));
            reference.query_pairs_mut().extend_pairs(pairs.iter().map(|(k, v)| (k, v)));
        }
        prop_assert_eq!(mine.as_str(), reference.as_str());
        let back: Vec<(String, String)> = mine.query_pairs().collect();
        let reference: Vec<(String, String)> = reference.query_pairs().into_owned().collect();
        prop_assert_eq!(back, reference);
    }

    /// Query and form bodies decode as `url`'s `form_urlencoded::parse` decodes them.
    #[test]
    fn pairs_decode_as_url_decodes_them(input in "\\PC{0,24}|[%&=+a-f0-9]{0,24}") {
        let mine: Vec<(String, String)> = parse_pairs(input.as_bytes()).collect();
        let reference: Vec<(String, String)> = url::form_urlencoded::parse(input.as_bytes()).into_owned().collect();
        prop_assert_eq!(mine, reference);
    }
}
