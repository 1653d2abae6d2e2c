"""The PRP tube label (ID2–ID4): full name, date of birth, record number, the sample's
short code as a Code 39 barcode, draw time and the drawer's initials, printed at the draw."""

from __future__ import annotations

from fpdf import FPDF

from needlepoint.clinical.models import PrpSample

LABEL_MM = (62, 29)  # a common tube-label roll width
NARROW_MM = 0.25  # Code 39's narrow bar: scanners read 0.19 mm and up


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def prp_label_pdf(sample: PrpSample) -> bytes:
    patient = sample.patient
    drawn = sample.drawn_at.astimezone(sample.location.zone)
    expires = sample.expires_at.astimezone(sample.location.zone)
    drawer = sample.drawn_by.user
    initials = f"{drawer.first_name[:1]}{drawer.last_name[:1]}".upper() or drawer.username[:3]
    pdf = FPDF(orientation="L", unit="mm", format=LABEL_MM)
    pdf.set_margins(2, 2, 2)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 8)
    pdf.cell(
        0,
        3.5,
        _latin1(f"{patient.last_name.upper()}, {patient.first_name}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 6.5)
    pdf.cell(
        0,
        3,
        _latin1(f"DOB {patient.date_of_birth:%Y-%m-%d}  MRN {patient.record_number}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.cell(
        0,
        3,
        _latin1(f"Drawn {drawn:%Y-%m-%d %H:%M} by {initials}  Expires {expires:%H:%M}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    code = sample.code
    pdf.code39(f"*{code}*", x=2, y=12, w=3 * NARROW_MM, h=10)  # fpdf's w is the wide bar
    pdf.set_xy(2, 23)
    pdf.set_font("Helvetica", "", 5)
    pdf.cell(0, 2.5, code)
    return bytes(pdf.output())
