//! All runbooks of the runbook directories, valid or not.

use super::{parse, Runbook, RunbookError};
use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One runbook file: the runbook, or why it cannot be used.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub id: String,
    pub path: PathBuf,
    pub result: Result<Runbook, Vec<RunbookError>>,
}

/// Runbooks by id. Directories later in the list override earlier ones (user over shipped).
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    entries: BTreeMap<String, CatalogEntry>,
    /// Directories that were refused, with the reason.
    refused: Vec<RunbookError>,
}

impl Catalog {
    pub fn load(dirs: &[PathBuf]) -> Self {
        let mut catalog = Catalog::default();
        for dir in dirs {
            if !dir.exists() {
                continue;
            }
            if let Err(reason) = check_directory_safety(dir) {
                catalog.refused.push(RunbookError::whole(dir, reason));
                continue;
            }
            let Ok(read) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = read
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            files.sort();
            for path in files {
                let entry = load_file(&path);
                catalog.entries.insert(entry.id.clone(), entry);
            }
        }
        catalog
    }

    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.entries.get(id)
    }

    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.values()
    }

    pub fn refused(&self) -> &[RunbookError] {
        &self.refused
    }
}

fn load_file(path: &Path) -> CatalogEntry {
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let whole = |message: String| Err(vec![RunbookError::whole(path, message)]);
    let result = match check_owner_and_mode(path) {
        Err(reason) => whole(reason),
        Ok(()) => match std::fs::metadata(path) {
            Ok(m) if m.len() > super::MAX_FILE_BYTES as u64 => whole(format!(
                "the file has {} bytes; runbooks may have at most {}",
                m.len(),
                super::MAX_FILE_BYTES
            )),
            _ => match std::fs::read_to_string(path) {
                Ok(text) => parse(path, &text),
                Err(e) => whole(format!("cannot read the file: {e}")),
            },
        },
    };
    CatalogEntry {
        id,
        path: path.to_owned(),
        result,
    }
}

/// Runbooks run commands: their directory must be one only the user (or root, for the
/// shipped examples) can change.
pub fn check_directory_safety(dir: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    if !meta.is_dir() {
        return Err(format!("{} is not a folder", dir.display()));
    }
    check_owner_and_mode(dir)
}

fn check_owner_and_mode(path: &Path) -> Result<(), String> {
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me && meta.uid() != 0 {
        return Err(format!(
            "refused: {} belongs to user id {}, not to you; runbooks only run from files and folders you own",
            path.display(),
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return Err(format!(
            "refused: {} can be changed by other users (mode {mode:04o}); fix it with `chmod go-w {}`",
            path.display(),
            path.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        path
    }

    #[test]
    fn loads_valid_and_invalid_files_and_lets_later_dirs_override() {
        let shipped = tempfile::tempdir().unwrap();
        let user = tempfile::tempdir().unwrap();
        for d in [&shipped, &user] {
            std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        write(
            shipped.path(),
            "startup.yaml",
            "name: Shipped\nsteps:\n  - run: \"true\"\n",
        );
        write(shipped.path(), "notes.txt", "not a runbook");
        write(
            user.path(),
            "startup.yaml",
            "name: Mine\nsteps:\n  - run: \"true\"\n",
        );
        write(user.path(), "broken.yml", "steps: 3\n");
        let catalog = Catalog::load(&[shipped.path().to_owned(), user.path().to_owned()]);
        let ids: Vec<&str> = catalog.entries().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["broken", "startup"]);
        assert_eq!(
            catalog
                .get("startup")
                .unwrap()
                .result
                .as_ref()
                .unwrap()
                .name,
            "Mine"
        );
        let errors = catalog.get("broken").unwrap().result.as_ref().unwrap_err();
        assert!(
            errors[0].to_string().contains("broken.yml:1:8"),
            "{}",
            errors[0]
        );
    }

    #[test]
    fn refuses_writable_folders_and_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.yaml", "steps:\n  - run: \"true\"\n");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let catalog = Catalog::load(&[dir.path().to_owned()]);
        assert_eq!(catalog.entries().count(), 0);
        assert!(
            catalog.refused()[0].message.contains("mode 0777"),
            "{:?}",
            catalog.refused()
        );
        assert!(catalog.refused()[0].message.contains("chmod go-w"));

        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        let catalog = Catalog::load(&[dir.path().to_owned()]);
        let errors = catalog.get("a").unwrap().result.as_ref().unwrap_err();
        assert!(
            errors[0].message.contains("can be changed by other users"),
            "{errors:?}"
        );
    }
}
