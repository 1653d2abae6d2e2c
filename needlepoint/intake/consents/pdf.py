"""The signed document as a PDF."""

from __future__ import annotations

import unicodedata
from datetime import date
from io import BytesIO
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from needlepoint.intake.consents.documents import consent_blocks
from needlepoint.intake.consents.integrity import consent_verify, consent_zone
from needlepoint.intake.consents.status import signature_withdrawal
from needlepoint.intake.models import ConsentSignature

# A Unicode font when the system has one (Debian: fonts-dejavu-core); otherwise the PDF
# core font, which knows Latin-1 only, and text outside it is approximated.
PDF_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_PDF_LATIN1_SWAPS = str.maketrans(
    {"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "•": "-", "…": "..."}
)


class _ConsentPdf(FPDF):
    def __init__(self) -> None:
        super().__init__(format="Letter")
        regular, bold = PDF_FONT_DIR / "DejaVuSans.ttf", PDF_FONT_DIR / "DejaVuSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold))
        self.family = "DejaVu" if self.unicode else "Helvetica"
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)

    def text_for_font(self, value: str) -> str:
        if self.unicode:
            return value
        value = value.translate(_PDF_LATIN1_SWAPS)
        if value.isascii():
            return value
        decomposed = unicodedata.normalize("NFKD", value)
        value = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        return value.encode("latin-1", "replace").decode("latin-1")

    def write_block(self, text: str, *, size: float = 10, bold: bool = False, indent: float = 0):
        self.set_font(self.family, "B" if bold else "", size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            0, size * 0.5, self.text_for_font(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, f"Page {self.page_no()}", align="C")


def _long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day:%Y}"


def consent_pdf(signature: ConsentSignature) -> bytes:
    """The signed document as a PDF: text, version, patient, typed name, drawn signature,
    signing time in the clinic's zone and the hash (with the check made on export)."""
    document, patient = signature.document, signature.patient
    zone = consent_zone(signature)
    signed_local = signature.signed_at.astimezone(zone)
    pdf = _ConsentPdf()
    pdf.set_title(f"{document.title} (version {document.version})")
    pdf.set_creator("Needlepoint")
    pdf.add_page()
    pdf.write_block(signature.organization.name, size=9)
    pdf.write_block(document.title, size=15, bold=True)
    pdf.write_block(f"Version {document.version} · {document.get_kind_display()}", size=9)
    pdf.ln(3)
    for block in consent_blocks(signature.document_text):
        if block.kind == "heading":
            pdf.ln(2)
            pdf.write_block(block.text, size=11, bold=True)
        elif block.kind == "list":
            for item in block.items:
                pdf.write_block(f"• {item}", indent=4)
        else:
            pdf.write_block(block.text)
        pdf.ln(1)
    pdf.ln(4)
    pdf.write_block("Signature", size=12, bold=True)
    facts = [
        ("Patient", f"{patient.full_name} ({patient.record_number})"),
        ("Typed name", signature.typed_name),
        ("Signed", f"{_long_date(signed_local)}, {signed_local:%H:%M %Z} ({zone.key})"),
        ("Valid through", _long_date(signature.valid_through)),
    ]
    if signature.appointment is not None:
        visit = signature.appointment.starts_at.astimezone(zone)
        facts.append(("Visit", f"{signature.appointment.service.name}, {visit:%Y-%m-%d %H:%M}"))
    facts.append(("From address", signature.signed_ip or "not recorded"))
    withdrawal = signature_withdrawal(signature)
    if withdrawal is not None:
        who = "by the patient" if withdrawal.by_patient else "by staff on the patient's request"
        when = withdrawal.withdrawn_at.astimezone(zone)
        facts.append(("Withdrawn", f"{when:%Y-%m-%d %H:%M %Z}, {who}"))
    for label, value in facts:
        pdf.write_block(f"{label}: {value}")
    pdf.ln(2)
    png = bytes(signature.signature_png)
    with Image.open(BytesIO(png)) as image:
        width_px, height_px = image.size
    width = min(80.0, 35.0 * width_px / height_px)
    pdf.image(BytesIO(png), x=pdf.l_margin, w=width, h=width * height_px / width_px)
    pdf.ln(3)
    pdf.write_block(f"SHA-256: {signature.content_sha256}", size=8)
    check = (
        "recomputes equal: unchanged since signing"
        if consent_verify(signature)
        else "DOES NOT MATCH: this record has been altered"
    )
    pdf.write_block(f"Integrity check on export: the stored hash {check}.", size=8)
    return bytes(pdf.output())
