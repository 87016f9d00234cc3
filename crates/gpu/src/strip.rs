/// A WGSL file as the backend compiles it: each line without its comment and indentation, and no
/// line removed, so a shader compiler's line numbers count the lines the source has. WGSL has no
/// string literals, so `//` always starts a comment (the files use no `/* */`). The build script
/// strips the embedded files with this, `cargo xtask` the served ones (`dist/wgsl/`), and the
/// worker a served source (`crate::shaders::supply`). Stripping a stripped text changes nothing.
pub fn strip(text: &str) -> String {
    text.lines().map(|line| line.split("//").next().unwrap_or("").trim()).collect::<Vec<_>>().join("\n") + "\n"
}
