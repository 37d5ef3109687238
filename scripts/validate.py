"""The editors' checks (`make validate`, after `rasa data validate`): a Swedish report.

Runs every check in `bot.editor_checks` on the training data, the responses,
the bot's sentences (data/lang/messages.yml), the knowledge files, the
carriers and the service-point registry, and prints each problem
as `fil:rad: FEL|VARNING: vad som är fel` with a line saying what to do.

Exit code 0 when there are no errors (warnings are printed but allowed),
1 when there is at least one error (with --strict also on warnings),
2 on wrong usage.

Usage:
    python scripts/validate.py [--root MAPP] [--registry SÖKVÄG] [--strict]
    python scripts/validate.py --measure   # the near-duplicate distribution

The near-duplicate check embeds every example with multilingual-e5-small;
the vectors are kept in var/cache/validate-embeddings.npz, so a second run
only embeds the examples that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import editor_checks as ec  # noqa: E402
from bot.cli_common import SwedishParser  # noqa: E402
from bot.errors import EmbeddingModelError, GazetteerError, ServiceTypesError  # noqa: E402

CACHE = ROOT / "var" / "cache" / "validate-embeddings.npz"


class CachedEncoder:
    """`encode_queries` of the shared E5 model, remembering vectors on disk.

    The cache is keyed by the model folder and its weights' size and date,
    so rebuilding the model starts a fresh cache.
    """

    def __init__(self, cache: Path | None = CACHE) -> None:
        self.cache = cache
        self.calls = 0

    def _stamp(self) -> str:
        from bot import embeddings

        folder = embeddings.model_path()
        parts = [str(folder.resolve())]
        for name in ("model.safetensors", "pytorch_model.bin"):
            weights = folder / name
            if weights.exists():
                stat = weights.stat()
                parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    def _load(self, stamp: str) -> dict[str, np.ndarray]:
        if self.cache is None or not self.cache.exists():
            return {}
        try:
            with np.load(self.cache, allow_pickle=False) as data:
                if str(data["stamp"]) != stamp:
                    return {}
                return dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            return {}

    def _save(self, stamp: str, known: dict[str, np.ndarray]) -> None:
        if self.cache is None or not known:
            return
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        texts = sorted(known)
        tmp = self.cache.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            stamp=np.array(stamp),
            texts=np.array(texts),
            vectors=np.stack([known[t] for t in texts]),
        )
        tmp.replace(self.cache)

    def __call__(self, texts: Sequence[str]) -> ec.Vectors:
        from bot import embeddings

        self.calls += 1
        stamp = self._stamp()
        known = self._load(stamp)
        missing = sorted({t for t in texts if t not in known})
        if missing:
            vectors = embeddings.encode_queries(missing)
            known.update(zip(missing, vectors, strict=True))
            self._save(stamp, known)
        return np.stack([known[t] for t in texts]).astype(np.float32)


def _generated(project: ec.Project) -> dict[Path, str]:
    """What scripts/build_nlu_data.py would write now, for the project's sources."""
    from bot.errors import RegistryError
    from bot.gazetteer import Gazetteer
    from bot.registry import load_registry
    from bot.service_types import load_carriers, load_service_types
    from scripts import build_nlu_data as builder

    generated = project.nlu_dir / "generated"
    types = list(load_service_types(project.service_types).values())
    gazetteer = Gazetteer.load(project.gazetteer)
    rendered = {
        generated / builder.SYNONYMS_PATH.name: builder.render_synonyms(types),
        generated / builder.PLACE_LOOKUP_PATH.name: builder.render_place_lookup(
            gazetteer
        ),
    }
    # the point names come from the repository's registry (what the model is
    # trained on); a registry with errors is reported by check_registry, and
    # the lookup is compared again once those are fixed
    try:
        registry = load_registry(project.root / "data" / "service_points")
    except RegistryError:
        return rendered
    if not registry.rejected:
        rendered[generated / builder.POINT_LOOKUP_PATH.name] = (
            builder.render_point_lookup(
                [*registry.points, *registry.closed],
                types,
                load_carriers(project.service_types),
                gazetteer,
            )
        )
    return rendered


def run_checks(
    project: ec.Project,
    encode: ec.Encode | None = None,
    *,
    embeddings: bool = True,
) -> tuple[list[ec.Finding], ec.NluData]:
    """Every check, in the order an editor would fix things; findings sorted by file."""
    findings: list[ec.Finding] = []
    nlu = ec.load_nlu(project)
    domain = ec.load_domain(project)
    ids, problems = ec.load_service_type_ids(project)
    findings += nlu.problems + domain.problems + problems
    resolve, problems = ec.place_resolver(project)
    findings += problems

    findings += ec.check_invisible(project)
    findings += ec.check_duplicates(nlu)
    if embeddings:
        try:
            findings += ec.check_near_duplicates(nlu, encode or CachedEncoder())
        except EmbeddingModelError as exc:
            findings.append(
                ec.Finding(
                    "nästan-samma",
                    ec.Severity.ERROR,
                    "models/embeddings",
                    None,
                    f"språkmodellen för likhetskontrollen saknas ({exc.path})",
                    "Kör make setup (eller make embeddings) och sedan make "
                    "validate igen.",
                )
            )
    findings += ec.check_intent_examples(nlu, domain, project=project)
    if ids:
        findings += ec.check_entities(nlu, domain, ids)
        findings += ec.check_synonyms(nlu, ids)
    if resolve is not None:
        findings += ec.check_places(nlu, resolve)
    with contextlib.suppress(ServiceTypesError, GazetteerError):  # reported above
        findings += ec.check_generated(project, _generated(project))
    findings += ec.check_responses(project, domain)
    findings += ec.check_messages(project)
    findings += ec.check_english_data(project)
    findings += ec.check_knowledge(project)
    findings += ec.check_carriers(project)
    if ids:
        findings += ec.check_registry(project, ids)
    findings.sort(key=lambda f: (f.file, f.line or 0, f.check))
    return findings, nlu


def report(findings: Sequence[ec.Finding], nlu: ec.NluData) -> str:
    """The Swedish report: every finding, then a count and what to do next."""
    errors = sum(f.severity is ec.Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    intents = len({ex.intent for ex in nlu.examples})
    lines = [f.format() for f in findings]
    if lines:
        lines.append("")
    lines.append(
        f"Kontrollerat: {len(nlu.examples)} exempel i {intents} avsikter, svaren i "
        "domain.yml, botens meningar, kunskapsfilerna, transportföretagen och "
        "servicepunkterna."
    )
    if errors:
        lines.append(
            f"Resultat: {errors} fel och {warnings} "
            f"{'varning' if warnings == 1 else 'varningar'}. Rätta felen och kör "
            "make validate igen innan du publicerar."
        )
    elif warnings:
        lines.append(
            f"Resultat: inga fel, {warnings} "
            f"{'varning' if warnings == 1 else 'varningar'}. Läs varningarna; "
            "ändringen kan publiceras."
        )
    else:
        lines.append("Resultat: allt ser bra ut. Ändringen kan publiceras.")
    return "\n".join(lines)


def measure(project: ec.Project, encode: ec.Encode) -> str:
    """The distribution the near-duplicate threshold was chosen from."""
    from rapidfuzz import fuzz

    from bot.text import fold

    nlu = ec.load_nlu(project)
    sims, cross = ec.cross_intent_similarities(nlu, encode)
    cross_sims = np.where(cross, sims, -1.0)
    nearest = cross_sims.max(axis=1)
    quantiles = (0.5, 0.9, 0.95, 0.99, 1.0)
    lines = [
        f"{len(nlu.examples)} exempel. Högsta likhet med ett exempel i en annan "
        "avsikt, per exempel:",
        "  "
        + ", ".join(
            f"{int(q * 100)} %: {np.quantile(nearest, q):.4f}" for q in quantiles
        ),
    ]
    for level in (0.93, 0.95, 0.96, 0.97, ec.NEAR_DUPLICATE_THRESHOLD):
        pairs = int((np.triu(cross_sims, k=1) >= level).sum())
        lines.append(f"  par i olika avsikter med likhet >= {level}: {pairs}")
    rows, cols = np.nonzero(np.triu(cross_sims, k=1) >= ec.NEAR_DUPLICATE_FLOOR)
    folded = [fold(ex.text) for ex in nlu.examples]
    scored = sorted(
        (
            (float(sims[i, j]), fuzz.ratio(folded[i], folded[j]), i, j)
            for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
        ),
        reverse=True,
    )
    lines.append("Mest lika par i olika avsikter (likhet, stavningslikhet):")
    for score, spelt, i, j in scored[:10]:
        a, b = nlu.examples[i], nlu.examples[j]
        lines.append(
            f"  {score:.4f} {spelt:3.0f}  {a.intent}: {a.text!r} | {b.intent}: {b.text!r}"
        )
    spelt_max = max((s for _, s, _, _ in scored), default=0.0)
    lines.append(
        f"Högsta stavningslikhet bland par med likhet >= {ec.NEAR_DUPLICATE_FLOOR}: "
        f"{spelt_max:.0f}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = SwedishParser(
        prog="scripts/validate.py",
        description="Kontrollerar träningsdata, svar, kunskap och servicepunkter.",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="projektets mapp")
    parser.add_argument(
        "--registry",
        type=Path,
        default=None,
        help="registret att kontrollera (standard: SERVICELOTSEN_REGISTRY, "
        "annars data/service_points/)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="avsluta med fel även vid varningar"
    )
    parser.add_argument(
        "--utan-likhet",
        dest="embeddings",
        action="store_false",
        help="hoppa över likhetskontrollen (snabbare, men ofullständigt)",
    )
    parser.add_argument(
        "--measure",
        action="store_true",
        help="skriv ut likhetsfördelningen som tröskeln valdes från",
    )
    args = parser.parse_args(argv)
    registry = args.registry
    if registry is None and args.root.resolve() == ROOT:
        from bot.registry import registry_path

        registry = registry_path()  # what the bot serves: SERVICELOTSEN_REGISTRY
    project = ec.Project(root=args.root.resolve(), registry=registry)
    if args.measure:
        print(measure(project, CachedEncoder()))
        return 0
    findings, nlu = run_checks(project, embeddings=args.embeddings)
    print(report(findings, nlu))
    errors = any(f.severity is ec.Severity.ERROR for f in findings)
    return 1 if errors or (args.strict and findings) else 0


if __name__ == "__main__":
    sys.exit(main())
