//! Every field of a kind, read from the JSON Schema `afu9ctl schema` prints (which schemars
//! generates from the spec types, doc comments included).

use std::collections::BTreeSet;

use serde_json::Value;

/// One field of a manifest, as the reference table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The field's path in the document (`spec.lifecyclePolicy.keepLast`); `[]` marks a list
    /// element, `<name>` a map entry.
    pub path: String,
    /// The field's type, as people read it (`boolean`, `list of string`, `` `A` or `B` ``).
    pub ty: String,
    /// Whether the document must state it.
    pub required: bool,
    /// The field is one of several forms its parent takes (`{cidr}` or `{securityGroup}`):
    /// exactly one of them is given.
    pub alternative: bool,
    /// The schema's default, as compact JSON.
    pub default: Option<String>,
    /// The doc comment of the Rust field, on one line.
    pub description: String,
}

/// A kind as the schema describes it: the spec type's doc comment and every field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindSchema {
    /// The spec type's doc comment.
    pub description: String,
    /// Every field under `spec`, depth first, in the type's field order.
    pub fields: Vec<Field>,
}

/// The `spec` of `kind` in `schema` (the whole manifest schema), or `None` when the schema has
/// no branch for it.
pub fn kind_schema(schema: &Value, kind: &str) -> Option<KindSchema> {
    let document = document_of(schema, kind)?;
    let spec = resolve(schema, document.get("properties")?.get("spec")?);
    let mut fields = Vec::new();
    walk(schema, spec, "spec", &mut fields, &mut Vec::new(), None);
    Some(KindSchema {
        description: one_line(spec.get("description")),
        fields,
    })
}

/// The fields of `metadata`, which every kind shares.
pub fn metadata_fields(schema: &Value) -> Vec<Field> {
    let mut fields = Vec::new();
    if let Some(metadata) = document_of(schema, "Posture")
        .and_then(|document| document.get("properties")?.get("metadata"))
        .map(|metadata| resolve(schema, metadata))
    {
        walk(
            schema,
            metadata,
            "metadata",
            &mut fields,
            &mut Vec::new(),
            None,
        );
    }
    fields
}

/// The `Document<S>` definition of `kind`'s branch.
fn document_of<'a>(schema: &'a Value, kind: &str) -> Option<&'a Value> {
    let branch = schema.get("oneOf")?.as_array()?.iter().find(|branch| {
        branch.get("title").and_then(Value::as_str) == Some(kind)
            || branch
                .pointer("/properties/kind/const")
                .and_then(Value::as_str)
                == Some(kind)
    })?;
    Some(match branch.pointer("/allOf/0") {
        Some(reference) => resolve(schema, reference),
        None => branch,
    })
}

/// Follows `$ref` (to `#/$defs/NAME`) until a definition.
fn resolve<'a>(schema: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match ref_name(value).and_then(|name| schema.get("$defs")?.get(name)) {
            Some(definition) => value = definition,
            None => break,
        }
    }
    value
}

fn ref_name(value: &Value) -> Option<&str> {
    value.get("$ref")?.as_str()?.rsplit('/').next()
}

/// `X` for `anyOf: [X, {type: null}]`, else the value itself.
fn strip_null(value: &Value) -> &Value {
    if let Some(choices) = value.get("anyOf").and_then(Value::as_array) {
        let real: Vec<&Value> = choices.iter().filter(|c| !is_null(c)).collect();
        if let [only] = real.as_slice() {
            return only;
        }
    }
    value
}

fn is_null(value: &Value) -> bool {
    value.get("type").and_then(Value::as_str) == Some("null")
}

/// How a field sits in its parent: required or not, or one of the parent's forms (with the
/// form's description, for fields that have none of their own).
#[derive(Clone, Copy)]
struct Place<'a> {
    required: bool,
    form: Option<&'a Value>,
}

fn walk(
    schema: &Value,
    object: &Value,
    prefix: &str,
    out: &mut Vec<Field>,
    stack: &mut Vec<String>,
    form: Option<&Value>,
) {
    if stack.len() > 6 {
        return;
    }
    if let Some(properties) = object.get("properties").and_then(Value::as_object) {
        let required: BTreeSet<&str> = object
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (name, property) in properties {
            let path = format!("{prefix}.{name}");
            if let Some(seen) = out.iter_mut().find(|field| field.path == path) {
                let ty = type_name(schema, strip_null(property), 0);
                if !seen.ty.split(" or ").any(|t| t == ty) {
                    seen.ty = format!("{} or {ty}", seen.ty);
                }
                continue;
            }
            let place = Place {
                required: required.contains(name.as_str()),
                form: form.filter(|_| properties.len() == 1 && property.get("const").is_none()),
            };
            field(schema, property, &path, place, out, stack);
        }
    }
    for variant in object
        .get("oneOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(
            schema,
            resolve(schema, variant),
            prefix,
            out,
            stack,
            Some(variant),
        );
    }
}

fn field(
    schema: &Value,
    property: &Value,
    path: &str,
    place: Place<'_>,
    out: &mut Vec<Field>,
    stack: &mut Vec<String>,
) {
    let inner = strip_null(property);
    let resolved = resolve(schema, inner);
    let description = match property.get("description") {
        Some(text) => one_line(Some(text)),
        None => match resolved.get("description") {
            Some(text) => one_line(Some(text)),
            None => one_line(place.form.and_then(|form| form.get("description"))),
        },
    };
    out.push(Field {
        path: path.to_owned(),
        ty: type_name(schema, inner, 0),
        required: place.required && place.form.is_none(),
        alternative: place.form.is_some(),
        default: property.get("default").map(Value::to_string),
        description,
    });
    let name = ref_name(inner).map(str::to_owned);
    if name.as_ref().is_some_and(|name| stack.contains(name)) {
        return;
    }
    stack.extend(name.clone());
    descend(schema, resolved, path, out, stack);
    if name.is_some() {
        stack.pop();
    }
}

/// The fields inside a field: an object's, a list element's, a map entry's.
fn descend(
    schema: &Value,
    resolved: &Value,
    path: &str,
    out: &mut Vec<Field>,
    stack: &mut Vec<String>,
) {
    if let Some(items) = resolved.get("items") {
        let items = resolve(schema, strip_null(items));
        if has_fields(items) {
            walk(schema, items, &format!("{path}[]"), out, stack, None);
        }
    } else if let Some(entry) = resolved
        .get("additionalProperties")
        .filter(|entry| entry.is_object())
    {
        let entry = resolve(schema, strip_null(entry));
        if has_fields(entry) {
            walk(schema, entry, &format!("{path}.<name>"), out, stack, None);
        }
    } else if has_fields(resolved) {
        walk(schema, resolved, path, out, stack, None);
    }
}

fn has_fields(value: &Value) -> bool {
    value.get("properties").is_some()
        || value
            .get("oneOf")
            .and_then(Value::as_array)
            .is_some_and(|variants| variants.iter().any(|v| v.get("properties").is_some()))
}

/// A type as people read it.
fn type_name(schema: &Value, value: &Value, depth: usize) -> String {
    if depth > 4 {
        return "object".to_owned();
    }
    let value = resolve(schema, strip_null(value));
    if let Some(constant) = value.get("const") {
        return format!("`{}`", plain(constant));
    }
    if let Some(values) = value.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| format!("`{}`", plain(v)))
            .collect::<Vec<_>>()
            .join(" or ");
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(variants) = value.get(key).and_then(Value::as_array) {
            let mut names: Vec<String> = Vec::new();
            for variant in variants.iter().filter(|v| !is_null(v)) {
                let name = variant_name(schema, variant, depth);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            return names.join(" or ");
        }
    }
    let types = types_of(value);
    let mut names: Vec<String> = Vec::new();
    for ty in types.iter().filter(|ty| ty.as_str() != "null") {
        names.push(match ty.as_str() {
            "array" => match value.get("items") {
                Some(items) => format!("list of {}", type_name(schema, items, depth + 1)),
                None => "list".to_owned(),
            },
            "object" => match value.get("additionalProperties") {
                Some(entry) if entry.is_object() && value.get("properties").is_none() => {
                    format!("map of {}", type_name(schema, entry, depth + 1))
                }
                _ => "object".to_owned(),
            },
            "integer" | "number" => format!("{ty}{}", bounds(value)),
            other => other.to_owned(),
        });
    }
    if names.is_empty() {
        "any".to_owned()
    } else {
        names.join(" or ")
    }
}

/// A variant of a `oneOf`: its constant, or the constant that tells it apart (`{type: KMS}`).
fn variant_name(schema: &Value, variant: &Value, depth: usize) -> String {
    let variant = resolve(schema, variant);
    if let Some(properties) = variant.get("properties").and_then(Value::as_object) {
        let tags: Vec<String> = properties
            .iter()
            .filter_map(|(name, p)| p.get("const").map(|c| format!("{name}: {}", plain(c))))
            .collect();
        if !tags.is_empty() {
            return format!("`{{{}}}`", tags.join(", "));
        }
        let keys: Vec<&str> = properties.keys().map(String::as_str).collect();
        return format!("`{{{}}}`", keys.join(", "));
    }
    type_name(schema, variant, depth + 1)
}

fn types_of(value: &Value) -> Vec<String> {
    match value.get("type") {
        Some(Value::String(ty)) => vec![ty.clone()],
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ if value.get("properties").is_some() => vec!["object".to_owned()],
        _ => Vec::new(),
    }
}

fn bounds(value: &Value) -> String {
    match (value.get("minimum"), value.get("maximum")) {
        (Some(min), Some(max)) => format!(" ({min}–{max})"),
        (Some(min), None) if min != &Value::from(0) => format!(" (≥ {min})"),
        (None, Some(max)) => format!(" (≤ {max})"),
        _ => String::new(),
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// A doc comment on one line, fit for a table cell.
fn one_line(text: Option<&Value>) -> String {
    let text = text.and_then(Value::as_str).unwrap_or_default();
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// The fields of an object schema by name, for tests.
#[cfg(test)]
fn names(fields: &[Field]) -> Vec<&str> {
    fields.iter().map(|f| f.path.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        afu9_spec::schema::manifest_schema().to_value()
    }

    #[test]
    fn every_kind_has_a_described_spec() {
        let schema = schema();
        for kind in afu9_spec::KINDS {
            let found = kind_schema(&schema, kind).unwrap_or_else(|| panic!("{kind}"));
            assert!(!found.description.is_empty(), "{kind} has no doc comment");
        }
    }

    #[test]
    fn nested_fields_enums_and_lists_are_named() {
        let schema = schema();
        let ecr = kind_schema(&schema, "EcrRepository").expect("ecr");
        let paths = names(&ecr.fields);
        assert!(
            paths.contains(&"spec.lifecyclePolicy.keepLast"),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"spec.lifecyclePolicy.rules[].rulePriority"),
            "{paths:?}"
        );
        let mutability = ecr
            .fields
            .iter()
            .find(|f| f.path == "spec.tagMutability")
            .expect("tagMutability");
        assert_eq!(mutability.ty, "`MUTABLE` or `IMMUTABLE`");
        assert!(!mutability.required);
        let metadata = metadata_fields(&schema);
        assert!(
            metadata
                .iter()
                .any(|f| f.path == "metadata.name" && f.required)
        );
    }
}
