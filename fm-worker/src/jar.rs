//! Java type arguments, as the Java worker finds them: the function class is read from the jar
//! (a zip) and the generic signature of its class file (`Signature` attribute) gives the input and
//! output types of the `Function<I, O>` it implements — Pulsar's
//! `org.apache.pulsar.functions.api.Function` or `WindowFunction`, or
//! `java.util.function.Function`. Superclasses in
//! the same jar are followed, with their type variables bound.

use std::collections::HashMap;
use std::io::{Read, Seek};

/// The function interfaces whose two type arguments are the input and output types.
const FUNCTION_INTERFACES: [&str; 3] = [
    "org/apache/pulsar/functions/api/Function",
    "java/util/function/Function",
    "org/apache/pulsar/functions/api/WindowFunction",
];

/// How deep a superclass chain is followed.
const MAX_DEPTH: usize = 16;

/// Input and output type class names (Java's `Class.getName()` spelling).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeArgs {
    /// The input type.
    pub input: String,
    /// The output type.
    pub output: String,
}

/// Why the function class gave no type arguments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JarError {
    /// The package is not a readable jar.
    #[error("the package is not a readable jar: {0}")]
    NotAJar(String),
    /// The class is not in the jar.
    #[error("class {0} is not in the jar")]
    ClassMissing(String),
    /// The class file cannot be parsed.
    #[error("class {class} cannot be read: {reason}")]
    Unreadable {
        /// The class.
        class: String,
        /// What is wrong.
        reason: String,
    },
    /// Neither the class nor its superclasses in the jar implement a `Function<I, O>`.
    #[error("class {0} does not implement org.apache.pulsar.functions.api.Function, WindowFunction or java.util.function.Function")]
    NotAFunction(String),
}

/// A type in a generic signature, as far as type arguments need it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sig {
    /// A class type: internal name (`java/lang/String`, inner classes joined with `$`) and its
    /// type arguments (of the last part).
    Class(String, Vec<Sig>),
    /// A type variable.
    Var(String),
    /// An array of a type.
    Array(Box<Sig>),
    /// A primitive (descriptor letter).
    Base(char),
    /// `*`, or a bounded wildcard (its bound).
    Wildcard(Option<Box<Sig>>),
}

impl Sig {
    /// Java's `Class.getName()` of the erased type; unbound variables are `java.lang.Object`.
    fn class_name(&self, bound: &HashMap<String, Sig>) -> String {
        match self {
            Sig::Class(n, _) => n.replace('/', "."),
            Sig::Var(v) => match bound.get(v) {
                Some(s) if !matches!(s, Sig::Var(w) if w == v) => s.class_name(&HashMap::new()),
                _ => "java.lang.Object".into(),
            },
            Sig::Array(_) => format!("[{}", self.array_descriptor(bound)),
            Sig::Base(c) => match c {
                'B' => "byte",
                'C' => "char",
                'D' => "double",
                'F' => "float",
                'I' => "int",
                'J' => "long",
                'S' => "short",
                'Z' => "boolean",
                _ => "void",
            }
            .into(),
            Sig::Wildcard(Some(b)) => b.class_name(bound),
            Sig::Wildcard(None) => "java.lang.Object".into(),
        }
    }

    /// The element part of an array's `getName()` (`B`, `Ljava.lang.String;`, `[I`).
    fn array_descriptor(&self, bound: &HashMap<String, Sig>) -> String {
        match self {
            Sig::Array(e) => match e.as_ref() {
                Sig::Base(c) => c.to_string(),
                Sig::Array(_) => format!("[{}", e.array_descriptor(bound)),
                other => format!("L{};", other.class_name(bound)),
            },
            other => other.class_name(bound),
        }
    }

    /// Replaces bound type variables.
    fn bind(&self, bound: &HashMap<String, Sig>) -> Sig {
        match self {
            Sig::Var(v) => bound.get(v).cloned().unwrap_or_else(|| self.clone()),
            Sig::Class(n, args) => {
                Sig::Class(n.clone(), args.iter().map(|a| a.bind(bound)).collect())
            }
            Sig::Array(e) => Sig::Array(Box::new(e.bind(bound))),
            Sig::Wildcard(Some(b)) => Sig::Wildcard(Some(Box::new(b.bind(bound)))),
            other => other.clone(),
        }
    }
}

/// A class signature: type parameter names, superclass, interfaces.
#[derive(Debug)]
struct ClassSig {
    params: Vec<String>,
    supers: Vec<Sig>,
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or("signature ends early")?;
        self.at += 1;
        Ok(c)
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        match self.next()? {
            got if got == c => Ok(()),
            got => Err(format!(
                "expected `{}` at {}, found `{}`",
                c as char,
                self.at - 1,
                got as char
            )),
        }
    }

    fn ident(&mut self, stops: &[u8]) -> Result<String, String> {
        let start = self.at;
        while self.peek().is_some_and(|c| !stops.contains(&c)) {
            self.at += 1;
        }
        let id = self.s.get(start..self.at).ok_or("bad identifier")?;
        if id.is_empty() {
            return Err(format!("empty identifier at {start}"));
        }
        String::from_utf8(id.to_vec()).map_err(|_| "identifier is not UTF-8".into())
    }

    fn class_sig(&mut self) -> Result<ClassSig, String> {
        let mut params = Vec::new();
        if self.peek() == Some(b'<') {
            self.at += 1;
            while self.peek() != Some(b'>') {
                params.push(self.ident(b":")?);
                // Class bound (may be empty), then interface bounds.
                self.eat(b':')?;
                if !matches!(self.peek(), Some(b':') | Some(b'>')) && !self.at_param_start() {
                    self.reference()?;
                }
                while self.peek() == Some(b':') {
                    self.at += 1;
                    self.reference()?;
                }
            }
            self.eat(b'>')?;
        }
        let mut supers = Vec::new();
        while self.peek().is_some() {
            supers.push(self.reference()?);
        }
        Ok(ClassSig { params, supers })
    }

    /// At `Name:` (the next type parameter) rather than a bound.
    fn at_param_start(&self) -> bool {
        let rest = self.s.get(self.at..).unwrap_or_default();
        let stop = rest
            .iter()
            .position(|c| matches!(c, b':' | b';' | b'<' | b'>' | b'/'));
        matches!(stop.and_then(|i| rest.get(i)), Some(b':'))
            && !matches!(rest.first(), Some(b'L' | b'T' | b'['))
    }

    fn reference(&mut self) -> Result<Sig, String> {
        match self.next()? {
            b'L' => {
                let mut name = self.ident(b"<;.")?;
                let mut args = Vec::new();
                loop {
                    if self.peek() == Some(b'<') {
                        self.at += 1;
                        args.clear();
                        while self.peek() != Some(b'>') {
                            args.push(self.type_arg()?);
                        }
                        self.eat(b'>')?;
                    }
                    match self.next()? {
                        b';' => break,
                        b'.' => {
                            name.push('$');
                            name.push_str(&self.ident(b"<;.")?);
                        }
                        c => return Err(format!("unexpected `{}` in a class type", c as char)),
                    }
                }
                Ok(Sig::Class(name, args))
            }
            b'T' => {
                let v = self.ident(b";")?;
                self.eat(b';')?;
                Ok(Sig::Var(v))
            }
            b'[' => Ok(Sig::Array(Box::new(self.any_type()?))),
            c => Err(format!(
                "unexpected `{}` where a reference type belongs",
                c as char
            )),
        }
    }

    fn any_type(&mut self) -> Result<Sig, String> {
        match self.peek() {
            Some(c @ (b'B' | b'C' | b'D' | b'F' | b'I' | b'J' | b'S' | b'Z')) => {
                self.at += 1;
                Ok(Sig::Base(c as char))
            }
            _ => self.reference(),
        }
    }

    fn type_arg(&mut self) -> Result<Sig, String> {
        match self.peek() {
            Some(b'*') => {
                self.at += 1;
                Ok(Sig::Wildcard(None))
            }
            Some(b'+') => {
                self.at += 1;
                Ok(Sig::Wildcard(Some(Box::new(self.reference()?))))
            }
            Some(b'-') => {
                // A lower bound says nothing of the erased type.
                self.at += 1;
                self.reference()?;
                Ok(Sig::Wildcard(None))
            }
            _ => self.reference(),
        }
    }
}

fn parse_class_sig(sig: &str) -> Result<ClassSig, String> {
    Parser {
        s: sig.as_bytes(),
        at: 0,
    }
    .class_sig()
}

/// The superclass and interfaces of a class file as signatures: from its `Signature` attribute,
/// else (no generics) from its plain names.
fn supertypes(bytes: &[u8], class: &str) -> Result<(Vec<String>, Vec<Sig>), JarError> {
    let unreadable = |reason: String| JarError::Unreadable {
        class: class.to_owned(),
        reason,
    };
    let file = cafebabe::parse_class(bytes).map_err(|e| unreadable(e.to_string()))?;
    let signature = file.attributes.iter().find_map(|a| match &a.data {
        cafebabe::attributes::AttributeData::Signature(s) => Some(s.to_string()),
        _ => None,
    });
    match signature {
        Some(s) => {
            let parsed =
                parse_class_sig(&s).map_err(|r| unreadable(format!("generic signature: {r}")))?;
            Ok((parsed.params, parsed.supers))
        }
        None => {
            let mut supers: Vec<Sig> = file
                .super_class
                .iter()
                .map(|s| Sig::Class(s.to_string(), Vec::new()))
                .collect();
            supers.extend(
                file.interfaces
                    .iter()
                    .map(|i| Sig::Class(i.to_string(), Vec::new())),
            );
            Ok((Vec::new(), supers))
        }
    }
}

/// The input and output types of `class` (a binary name, `org.example.MyFunction`) in `jar`.
pub fn function_type_args<R: Read + Seek>(jar: R, class: &str) -> Result<TypeArgs, JarError> {
    let mut zip = zip::ZipArchive::new(jar).map_err(|e| JarError::NotAJar(e.to_string()))?;
    let mut read = |internal: &str| -> Option<Result<Vec<u8>, JarError>> {
        let mut entry = zip.by_name(&format!("{internal}.class")).ok()?;
        let mut bytes = Vec::new();
        Some(
            entry
                .read_to_end(&mut bytes)
                .map(|_| bytes)
                .map_err(|e| JarError::Unreadable {
                    class: internal.replace('/', "."),
                    reason: e.to_string(),
                }),
        )
    };
    let mut current = class.replace('.', "/");
    let mut bound: HashMap<String, Sig> = HashMap::new();
    for _ in 0..MAX_DEPTH {
        let name = current.replace('/', ".");
        let bytes = match read(&current) {
            Some(b) => b?,
            None if current == class.replace('.', "/") => return Err(JarError::ClassMissing(name)),
            None => break,
        };
        let (_, supers) = supertypes(&bytes, &name)?;
        let supers: Vec<Sig> = supers.iter().map(|s| s.bind(&bound)).collect();
        for s in &supers {
            if let Sig::Class(n, args) = s {
                if FUNCTION_INTERFACES.contains(&n.as_str()) {
                    if let [i, o] = args.as_slice() {
                        return Ok(TypeArgs {
                            input: i.class_name(&bound),
                            output: o.class_name(&bound),
                        });
                    }
                }
            }
        }
        // Follow the superclass (the first supertype) with its type variables bound.
        let Some(Sig::Class(parent, args)) = supers.first() else {
            break;
        };
        if parent == "java/lang/Object" {
            break;
        }
        let next_bytes = match read(parent) {
            Some(b) => b?,
            None => break,
        };
        let (params, _) = supertypes(&next_bytes, &parent.replace('/', "."))?;
        bound = params.into_iter().zip(args.iter().cloned()).collect();
        current = parent.clone();
    }
    Err(JarError::NotAFunction(class.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_give_java_class_names() {
        let s = parse_class_sig(
            "<T:Ljava/lang/Object;>Ljava/lang/Object;Lorg/apache/pulsar/functions/api/Function<[BLjava/util/Map<Ljava/lang/String;*>;>;",
        )
        .unwrap();
        assert_eq!(s.params, ["T"]);
        let Sig::Class(n, args) = &s.supers[1] else {
            panic!()
        };
        assert_eq!(n, "org/apache/pulsar/functions/api/Function");
        let none = HashMap::new();
        assert_eq!(args[0].class_name(&none), "[B");
        assert_eq!(args[1].class_name(&none), "java.util.Map");
        let inner = parse_class_sig("Ljava/lang/Object;Lp/Outer<TT;>.Inner<[[Ljava/lang/String;>;")
            .unwrap();
        let Sig::Class(n, args) = &inner.supers[1] else {
            panic!()
        };
        assert_eq!(n, "p/Outer$Inner");
        assert_eq!(args[0].class_name(&none), "[[Ljava.lang.String;");
        let bounds = parse_class_sig(
            "<K::Ljava/lang/Comparable<TK;>;V:Ljava/lang/Object;>Ljava/lang/Object;",
        )
        .unwrap();
        assert_eq!(bounds.params, ["K", "V"]);
        for bad in ["L", "Ljava/lang/Object", "<T>Ljava/lang/Object;", "Q;"] {
            assert!(parse_class_sig(bad).is_err(), "{bad}");
        }
    }
}
