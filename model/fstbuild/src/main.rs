//! Reads `piece<TAB>value` lines sorted by the piece's bytes from stdin and writes an fst map to
//! the file named by the first argument. Used only when the model is rebuilt.
use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: tactful-fstbuild OUT.fst < pieces.tsv")?;
    let mut builder = fst::MapBuilder::new(std::io::BufWriter::new(std::fs::File::create(&out)?))?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let (piece, value) = line.rsplit_once('\t').ok_or("a line without a tab")?;
        builder.insert(piece.as_bytes(), value.parse::<u64>()?)?;
    }
    builder.into_inner()?.flush()?;
    Ok(())
}
