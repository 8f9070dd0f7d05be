fn main() -> std::process::ExitCode {
    tactful::cli::main()
}
